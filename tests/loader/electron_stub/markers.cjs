// Electron's main-process markers, set in plain Node for the tests (see README.md here).
"use strict";
process.type = "browser";
process.versions.electron = process.env.PINNACE_TEST_ELECTRON_VERSION || "33.2.0";
