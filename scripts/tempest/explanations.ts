// Why a Tempest test fails or is skipped against the VSM, found by reading the test and the VSM.
// Matched against the test id (without its attributes), first match wins.
interface Explanation { kind: 'fail' | 'skip'; test: RegExp; why: string }

const EXPLANATIONS: Explanation[] = [
];

export function explain(id: string, kind: 'fail' | 'skip'): string | undefined {
  return EXPLANATIONS.find((e) => e.kind === kind && e.test.test(id))?.why;
}
