// The Electron app's main process: a window showing index.html from a file (the way
// Electron apps load their pages), and an IPC handler that runs Python in this process.
"use strict";
const path = require("node:path");
const { pathToFileURL } = require("node:url");
const { app, BrowserWindow, ipcMain } = require("electron");
const { evaluate, distDir } = require("./python-main.js");

ipcMain.handle("python:run", (_event, code) => evaluate(code));

function createWindow() {
  const win = new BrowserWindow({
    width: 900,
    height: 700,
    webPreferences: {
      // Electron's defaults, spelled out: the page has no Node; the preload bridges to IPC.
      preload: path.join(__dirname, "preload.js"),
      contextIsolation: true,
      nodeIntegration: false,
      sandbox: true,
    },
  });
  // The renderer loads Pinnace from dist/ over file:// too.
  win.loadFile(path.join(__dirname, "index.html"), {
    query: { dist: pathToFileURL(distDir()).href + "/" },
  });
}

app.whenReady().then(() => {
  createWindow();
  app.on("activate", () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on("window-all-closed", () => {
  if (process.platform !== "darwin") app.quit();
});
