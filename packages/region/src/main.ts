// Entry point of the bin; the program is assembled in later commits.
process.stderr.write('not implemented yet\n');
process.exitCode = 2;
