// Structured logs on stderr: a constant message, data in fields.
type Fields = Record<string, unknown>;

function emit(level: string, msg: string, fields: Fields): void {
  process.stderr.write(`${JSON.stringify({ ts: new Date().toISOString(), level, msg, ...fields })}\n`);
}

export const log = {
  info: (msg: string, fields: Fields = {}): void => emit('info', msg, fields),
  warn: (msg: string, fields: Fields = {}): void => emit('warn', msg, fields),
  error: (msg: string, fields: Fields = {}): void => emit('error', msg, fields),
};
