/* api.js: in progress */
