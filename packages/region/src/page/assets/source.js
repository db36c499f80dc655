/* source.js: in progress */
