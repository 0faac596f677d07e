// Must NOT compile: each line marked MUST-FAIL passes a value of the wrong type. The test asserts
// tsc reports an error on exactly those lines (so the file fails for these reasons and no other).
import createClient from "openapi-fetch";
import type { paths } from "../src/generated/api";

const client = createClient<paths>({ baseUrl: "http://127.0.0.1:8000" });
const integrated_account_id = "9f4b2d17-3c6e-4e8a-a5d2-71b0e4c3f902";

export const numberDate = client.GET("/unified/ats/interviews", {
  params: { query: { integrated_account_id, start_at: { gte: 42 } } }, // MUST-FAIL
});
export const dateObject = client.GET("/unified/ats/interviews", {
  params: { query: { integrated_account_id, created_at: { lt: new Date() } } }, // MUST-FAIL
});
export const textLimit = client.GET("/unified/ats/interviews", {
  params: { query: { integrated_account_id, limit: "25" } }, // MUST-FAIL
});
export const unknownKeyField = client.GET("/unified/ats/interviews", {
  params: { query: { integrated_account_id, truto_key_by: "candidate" } }, // MUST-FAIL
});
