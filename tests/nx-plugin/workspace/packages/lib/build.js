// The fixture's build: writes two outputs derived from the sources, and a
// marker line the test greps to tell a real run from a cache hit.
const fs = require("fs");
const path = require("path");
const root = __dirname;
const message = fs.readFileSync(path.join(root, "src", "message.txt"), "utf8");
fs.mkdirSync(path.join(root, "dist", "nested"), { recursive: true });
fs.writeFileSync(path.join(root, "dist", "message.txt"), message.toUpperCase());
fs.writeFileSync(path.join(root, "dist", "nested", "size.json"), JSON.stringify({ bytes: message.length }) + "\n");
console.log("FIXTURE-BUILD-RAN");
