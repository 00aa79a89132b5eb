// A stand-in for Electron's `electron` module in the main process, for tests under Node: only
// app.getPath("userData"), which the loader uses for its package cache (see ../README.md).
"use strict";
const userData = process.env.PINNACE_TEST_USERDATA;

module.exports = {
  app: {
    getPath(name) {
      if (name !== "userData" || !userData) {
        throw new Error(`test stand-in for electron: app.getPath(${JSON.stringify(name)}) is not provided`);
      }
      return userData;
    },
  },
};
