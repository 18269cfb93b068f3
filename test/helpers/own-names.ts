/**
 * How the tests mark what they make on the machine, so that a leftover is recognisably the
 * tests' own (and scripts/test.sh's leak check can name it):
 * - containers and networks a test creates directly carry the label TEST_LABEL;
 * - those an agent makes for a test's task carry Wharf's own labels with the instance ARN
 *   (removeInstanceContainers in ./agent-fixtures.ts removes them) and the test's cluster name,
 *   which always has a test prefix and random suffix;
 * - images are only ever wharf-test/* (scripts/build-test-images.sh).
 */
export const TEST_LABEL = "com.wharf.test";
