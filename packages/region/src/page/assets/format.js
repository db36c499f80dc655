/* format.js: in progress */
