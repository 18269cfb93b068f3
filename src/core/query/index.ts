/**
 * The ECS cluster query language: `compileQuery("attribute:ecs.instance-type =~ g4dn.*")` once,
 * then `.test(target)` per container instance. Used by memberOf placement constraints and by
 * ListContainerInstances' `filter`.
 */
export type { Comparison, Operator, QueryNode, Subject } from "./ast.js";
export { isDynamic, subjectName } from "./ast.js";
export { QueryError } from "./errors.js";
export { parseQuery } from "./parse.js";
export { compileQuery, compileQueryCached } from "./compile.js";
export type { CompiledQuery, Predicate, QueryTarget } from "./compile.js";
export { targetFromInstance } from "./target.js";
export type { QueryableInstance } from "./target.js";
