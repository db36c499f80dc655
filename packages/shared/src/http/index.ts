export { answerFileRequest, etagMatches, parseByteRange, type ByteRange, type FileAnswer } from './byte-range.js';
