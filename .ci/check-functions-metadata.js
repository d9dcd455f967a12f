// Checks that the published functions.metadata (what the Functions host reads to find the app's functions) lists
// every function of the app with its trigger, and nothing else.
const fs = require("fs");

const expected = {
  BqDispatchTimer: "timerTrigger",
  BqDispatchRun: "orchestrationTrigger",
  BqDispatchSettings: "activityTrigger",
  BqDispatchScan: "activityTrigger",
  BqDispatchHandOff: "activityTrigger",
  BqDispatchFireWindows: "activityTrigger",
  BqDispatchCleanup: "activityTrigger",
  BqDispatchPublish: "activityTrigger",
  BqDispatchPublishRun: "activityTrigger",
  BqDispatchEvent: "orchestrationTrigger",
  BqDispatchLocateTrace: "activityTrigger",
  BqDispatchRoute: "activityTrigger",
  BqDispatchCompleteGroups: "activityTrigger",
  BqDispatchRouteJob: "activityTrigger",
  ProjectThrottle: "entityTrigger",
  CompletionLedger: "entityTrigger",
  BqDispatchStatus: "httpTrigger",
  BqDispatchQueue: "httpTrigger",
  BqDispatchRunNow: "httpTrigger",
  BqDispatchEvents: "httpTrigger",
};

const path = process.argv[2];
const text = fs.readFileSync(path, "utf8").replace(/^\uFEFF/, "");
const found = {};
for (const fn of JSON.parse(text)) {
  const trigger = fn.bindings.find((b) => b.type.endsWith("Trigger"));
  found[fn.name] = trigger ? trigger.type : "(no trigger)";
}

const problems = [];
for (const [name, trigger] of Object.entries(expected)) {
  if (!(name in found)) problems.push(`${name} is missing`);
  else if (found[name] !== trigger) problems.push(`${name} has ${found[name]}, expected ${trigger}`);
}
for (const name of Object.keys(found)) {
  if (!(name in expected)) problems.push(`${name} is not expected (add it to .ci/check-functions-metadata.js)`);
}

if (problems.length > 0) {
  console.error(`ci: ${path}: ${problems.join("; ")}`);
  process.exit(1);
}
console.log(`ci: functions.metadata lists the ${Object.keys(expected).length} functions with their triggers`);
