import { expect, test } from "bun:test";
import { testApp } from "../helpers/app";

const METHODS = ["get", "put", "post", "delete", "patch"] as const;

test("every documented operation has a summary, a success schema and its error statuses", async () => {
  await using t = await testApp();
  const doc = (await t.json("GET", "/openapi.json")).body;
  const problems: string[] = [];
  let operations = 0;
  for (const [path, item] of Object.entries<Record<string, any>>(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      operations++;
      const name = `${method.toUpperCase()} ${path}`;
      if (!op.summary) problems.push(`${name}: no summary`);
      const statuses = Object.keys(op.responses ?? {});
      if (!statuses.some((s) => s.startsWith("2"))) problems.push(`${name}: no success response`);
      // A request body must be documented as JSON with its schema (routes declare `parse: "json"`:
      // the global body parser is a function, which the OpenAPI generator cannot describe).
      if (op.requestBody && !op.requestBody.content?.["application/json"]?.schema) problems.push(`${name}: request body without a JSON schema`);
      if (path !== "/health" && !statuses.some((s) => s.startsWith("4") || s.startsWith("5"))) problems.push(`${name}: no error statuses`);
    }
  }
  expect(problems).toEqual([]);
  expect(operations).toBeGreaterThan(0);
});
