/** @module Registry Svc tables. */
export {};
