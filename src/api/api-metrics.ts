/** What the API wrapper reports for each request (implemented by NodeMetrics). */
export interface ApiMetrics {
  observe(method: string, kind: string, ok: boolean, seconds: number): void;
}
