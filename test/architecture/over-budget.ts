/**
 * Files exempt from the size budget because they are table-like data, not logic; each with why.
 */
export const TABLE_DATA: Record<string, string> = {
  "tools/protocol/catalog/opnsense.ts":
    "the thirteen OPNsense types' schemas written once for the mock and the real provider: a table, no logic",
};

/**
 * Over budget today (issue 13.7), keyed on `file` or `file:function` with its current line count.
 * Helpers are shrinking these; the lead removes entries as they land. Never add to this list.
 */
export const OVER_BUDGET: Record<string, number> = {
  "agent/planner/offline/blueprints/container-service.ts:build": 82,
  "agent/planner/offline/blueprints/web-app-lb.ts:build": 101,
  "agent/planner/offline/index.ts:planOffline": 91,
  "agent/state/backend-suite.ts:describeStateBackend": 290,
  "agent/state/backend-suite.ts:describeStateBackend/<callback of describe>": 288,
  "agent/state/file-backend.ts:createFileBackend": 91,
  "agent/state/postgres-backend.ts:createPostgresBackend": 129,
  "evals/matcher.ts:checkExpectations": 108,
  "tools/providers/docker/snapshot-file-store.ts:fileSnapshotStore": 116,
  "tools/providers/local/command-type.ts:commandType": 189,
  "tools/providers/local/file-type.ts:fileType": 113,
  "tools/providers/local/record-store.ts:createRecordStore": 112,
  "tools/providers/local/service-type.ts:serviceType": 191,
  "tools/providers/local/service-type.ts:serviceType/start": 96,
};
