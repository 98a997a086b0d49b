/**
 * `@baton/conformance`: the conformance suite for Baton relays and agent adapters. Not built yet: it arrives
 * with its own issue (relay mode, agent mode, requirement registry, JSON/JUnit/HTML reports). Until then
 * this package only reserves the name and the workspace slot.
 */
export {};
