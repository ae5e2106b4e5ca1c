// The workflows gongkai's worker runs. Each request is one workflow (see docs/ and ../shared/DESIGN.md);
// the request workflow is exported here as it lands.
export {};
