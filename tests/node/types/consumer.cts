// A CommonJS consumer (`require`), typed through the package's `require`
// condition.
import nxcloud = require("nxcloud-access");

const resolution: nxcloud.Resolution = nxcloud.resolveCredentials({ nxVersion: "17.2.0", nxJson: "{}" });
const used: boolean = resolution.nxCloudUsed;
const cacheToken: string | undefined = resolution.cache?.accessToken?.redacted;
const stopStatus: number | undefined = resolution.stops?.exitStatus;
const stopWhen: nxcloud.StopWhen | undefined = resolution.stops?.when;
const ac: nxcloud.AccessControl = new nxcloud.AccessControl();
const decision: nxcloud.WebDecision = ac.authorizeWeb({ user: "ann", organization: "acme", action: "view-stats" });
const snapshot: string = JSON.stringify(ac);
nxcloud.AccessControl.fromJSON(snapshot);

// The guard and the union of codes; env values may be undefined.
const envWithHoles: { [key: string]: string | undefined } = { CI: undefined };
nxcloud.resolveCredentials({ env: envWithHoles, nxJson: { nxCloudId: "65d5639f1a3b026e4f1c2a77" } });
try {
  nxcloud.resolveCredentials({ nxJson: "{" });
} catch (e) {
  if (nxcloud.isNxCloudAccessError(e)) {
    const code: nxcloud.NxCloudAccessErrorCode = e.code;
  }
}
