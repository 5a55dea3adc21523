// Placeholder entry point so the stack can be synthesized while the handler is written.
export const handler = async (): Promise<never> => {
  throw new Error('not implemented yet');
};
