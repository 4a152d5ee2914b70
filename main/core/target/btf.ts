/**
 * The target kernel's BTF, read in the pure core: `parseBtf` over the bytes of
 * /sys/kernel/btf/vmlinux, then queries for struct member offsets and function prototypes.
 *
 *   const btf = parseBtf(bytes);                       // Result<Btf, BtfParseError>
 *   memberOffset(btf.value, 'io_ring_ctx', ['uring_lock']);   // Result<MemberLocation, BtfQueryError>
 *   functionPrototype(btf.value, 'io_wq_put_work');    // Result<FunctionPrototype, BtfQueryError>
 */
export { Btf } from './btf-data.js';
export { type BtfParseError, type BtfQueryError, describeBtfParseError, describeBtfQueryError } from './btf-error.js';
export { formatDeclaration, formatType } from './btf-format.js';
export { BTF_KIND, kindName } from './btf-kinds.js';
export { type MutexOwnerShape, mutexOwnerShape } from './btf-mutex.js';
export { typesNamed } from './btf-names.js';
export { type FunctionPrototype, type MemberLocation, formatPrototype, functionPrototype, memberOffset, memberOffsetIn, prototypeOf } from './btf-query.js';
export { BTF_HEADER_BYTES, BTF_MAGIC, parseBtf } from './btf-reader.js';
export { type ParamDesc, type Qualifier, type TypeDesc, describeType, isPointerToStruct, resolveType } from './btf-type-desc.js';
export { type BtfMember, type BtfParam, type BtfType, skipQualifiers, typeAt, typeSize } from './btf-types.js';
