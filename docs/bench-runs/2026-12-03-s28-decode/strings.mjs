import protobuf from 'protobufjs';
const n = 200000; const parts=[]; const ranges=[]; let at=0;
for (let i=0;i<n;i++){ const b=Buffer.from(`collection_${i}`); parts.push(Buffer.from([0x12,b.length]),b); at+=2; ranges.push(at, at+b.length); at+=b.length; }
const buf=Buffer.concat(parts); const dec=new TextDecoder('utf-8',{fatal:true,ignoreBOM:true});
const ways={
 span:()=>{const from=ranges[0]; const w=buf.toString('latin1',from,ranges[ranges.length-1]); const o=new Array(n); for(let k=0;k<n;k++) o[k]=w.substring(ranges[2*k]-from, ranges[2*k+1]-from); return o;},
 latin1each:()=>{const o=new Array(n); for(let k=0;k<n;k++) o[k]=buf.latin1Slice(ranges[2*k], ranges[2*k+1]); return o;},
 toStringEach:()=>{const o=new Array(n); for(let k=0;k<n;k++) o[k]=buf.toString('latin1',ranges[2*k], ranges[2*k+1]); return o;},
 textdecoder:()=>{const o=new Array(n); for(let k=0;k<n;k++) o[k]=dec.decode(buf.subarray(ranges[2*k], ranges[2*k+1])); return o;},
 pbjs:()=>{const o=new Array(n); for(let k=0;k<n;k++) o[k]=protobuf.util.utf8.readStrict(buf,ranges[2*k], ranges[2*k+1]); return o;},
};
const med=(a)=>a.sort((x,y)=>x-y)[a.length>>1];
for (const [name,f] of Object.entries(ways)) { const s=[]; for(let i=0;i<9;i++){const t=performance.now(); f(); s.push(performance.now()-t);} console.log(name, med(s).toFixed(1)); }
