/* live.js: in progress */
