/* selection.js: in progress */
