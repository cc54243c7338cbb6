// control.mjs SECONDS: an idle process's timer gaps over 30 ms (what the machine does to any process).
const gaps = []; const t = performance.now(); let last = t;
const timer = setInterval(() => { const now = performance.now(); if (now - last > 30) gaps.push(Math.round(now - last)); last = now; }, 5);
setTimeout(() => { clearInterval(timer); gaps.sort((a, b) => b - a); console.log('control gaps>30:', gaps.length, 'top:', gaps.slice(0, 8).join(',')); }, Number(process.argv[2]) * 1000);
