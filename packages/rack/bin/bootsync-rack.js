#!/usr/bin/env node
// Committed shim so npm links the bin before the first build; the program lives in dist/.
import '../dist/main.js';
