// Preload script (sandboxed, context-isolated: Electron's defaults).  It hands the page one
// function — run Python in the main process — and nothing else of Node or Electron.
"use strict";
const { contextBridge, ipcRenderer } = require("electron");

contextBridge.exposeInMainWorld("pinnaceDemo", {
  runInMain: (code) => ipcRenderer.invoke("python:run", String(code)),
});
