/**
 * The official client (`sunshine-conversations-client`, a dev dependency used by the emulator's
 * conformance test) ships no type declarations.
 */
declare module 'sunshine-conversations-client';
