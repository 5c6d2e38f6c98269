// Go's *PathError text for a failed file operation (`open /etc/resolv.conf: no such file or directory`), which is
// what upstream's kubelet puts into events and errors where it passes an os error on.

const errnoTexts: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory',
  ENOTDIR: 'not a directory',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'file name too long',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
};

/** `OP PATH: TEXT` as Go's os package words it, for a Node fs error `e`. */
export function goFileError(op: string, path: string, e: unknown): string {
  const code = e instanceof Error && 'code' in e ? (e as { code?: unknown }).code : undefined;
  const text = typeof code === 'string' ? errnoTexts[code] : undefined;
  return `${op} ${path}: ${text ?? (e instanceof Error ? e.message : String(e))}`;
}
