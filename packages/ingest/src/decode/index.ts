export { decodeObject, decodeObjectBatches, type ByteStream } from "./decode";
export { formatOfKey, isSupportedKey } from "./formats";
export { ElementSplitter, DEFAULT_MAX_ELEMENT_BYTES, DEFAULT_MAX_RAW_BYTES, OVERSIZE_HEAD_BYTES } from "./splitter";
export { DecodeError, type DecodeErrorKind, type DecodeOptions, type DecodedElement, type ObjectFormat } from "./types";
