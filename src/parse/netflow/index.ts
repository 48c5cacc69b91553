export { NetflowDecoder, type NetflowDecoderOptions, type NetflowDecodeResult, type NetflowDecoderStats } from './netflow-decoder.js';
export { communityId, communityIdFromBytes } from './community-id.js';
export { ianaIe, IeType, type IeInfo } from './information-elements.js';
