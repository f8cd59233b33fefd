// The path → line mapping is shared with `thaw validate`: it lives in core (core/spec-locations.ts).
export { locateSpecIssue, type SpecLocation } from '../../core/spec-locations.ts';
