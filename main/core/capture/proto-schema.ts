/** The protobufjs types of capture.proto, built once from the embedded schema text. */
import protobuf from 'protobufjs';
import { CAPTURE_PROTO } from './capture-proto.generated.js';

const root = protobuf.parse(CAPTURE_PROTO, { keepCase: false }).root;

export const RecordType = root.lookupType('lockscope.capture.Record');
