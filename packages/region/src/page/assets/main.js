/* main.js: in progress */
