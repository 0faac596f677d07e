// What a frontend writes against the mock, typed by `openapi-typescript` from the SERVED
// /openapi.json (src/generated/api.ts). It must compile under `strict` with no cast and no type
// guard on a body: the 200 of each operation is exactly the default format's body.
import createClient from "openapi-fetch";
import type { components, paths } from "./generated/api";

type Schemas = components["schemas"];
type Interview = Schemas["Interview"];
type InterviewList = Schemas["InterviewList"];
type Status = "draft" | "scheduled" | "cancelled" | "awaiting_feedback" | "completed";

// The 200 bodies are exactly Interview and InterviewList (a type-level equality, no value cast).
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type ListOk = paths["/unified/ats/interviews"]["get"]["responses"][200]["content"]["application/json"];
type GetOk = paths["/unified/ats/interviews/{id}"]["get"]["responses"][200]["content"]["application/json"];
export const listIsInterviewList: Equal<ListOk, InterviewList> = true;
export const getIsInterview: Equal<GetOk, Interview> = true;

const client = createClient<paths>({
  baseUrl: "http://127.0.0.1:8000",
  headers: { Authorization: "Bearer dev-token" },
});

// A page of a Pinpoint account, filtered by date, as openapi-fetch returns it.
export async function firstInterview(account: string): Promise<string> {
  const { data, error } = await client.GET("/unified/ats/interviews", {
    params: {
      query: {
        integrated_account_id: account,
        limit: 10,
        start_at: { gte: "2026-01-01T00:00:00Z" },
        created_at: { lt: "2026-12-31" },
        truto_exclude_fields: ["remote_data"],
      },
    },
  });
  if (error) {
    // every error status has Truto's body
    throw new Error(`${error.statusCode} ${error.error}: ${error.message}`);
  }
  const id: string = data.result[0].id;
  const next: string | null = data.next_cursor;
  const status: Status | undefined = data.result[0].status;
  const candidate: string | undefined = data.result[0].candidate?.id;
  return `${id} ${status ?? "no status"} ${candidate ?? "no candidate"} ${next ?? "last page"}`;
}

// The body types alone, without a client: read as written.
export function summary(page: InterviewList): string {
  const first = page.result[0];
  return `${first.id} ${first.candidate?.id ?? "-"} ${page.next_cursor ?? "end"} of ${page.result_count}`;
}

// A Pinpoint interview's status, exhaustively: adding a status to the contract breaks this switch.
export function statusLabel(interview: Schemas["PinpointInterview"]): string {
  switch (interview.status) {
    case "draft":
      return "Draft";
    case "scheduled":
      return "Scheduled";
    case "cancelled":
      return "Cancelled";
    case "awaiting_feedback":
      return "Awaiting feedback";
    case "completed":
      return "Completed";
    case undefined:
      return "Unknown";
  }
}

// One interview, and the other formats by their own schemas.
export async function oneInterview(account: string, id: string): Promise<string | undefined> {
  const { data } = await client.GET("/unified/ats/interviews/{id}", {
    params: { path: { id }, query: { integrated_account_id: account } },
  });
  return data?.organizer?.id;
}

export function byId(keyed: Schemas["KeyedInterviewList"], id: string): string | undefined {
  return keyed.result[id]?.location;
}

export function debugUrl(envelope: Schemas["InterviewListDebugEnvelope"]): string | undefined {
  return envelope.debug?.requestUrl;
}

// A 429 declares Retry-After as a number of seconds.
export type RetryAfter = paths["/unified/ats/interviews"]["get"]["responses"][429]["headers"]["Retry-After"];
export const retryAfter: RetryAfter = 10;
