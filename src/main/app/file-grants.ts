/**
 * Files the user chose in an open dialog during this run: the only files a request may read on
 * the window's behalf. A path the page merely names (a compromised page could name any) is
 * refused. Bounded, oldest forgotten first.
 */
export class FileGrants {
  private readonly paths: string[] = []

  constructor(private readonly max = 64) {}

  grant(path: string): void {
    const at = this.paths.indexOf(path)
    if (at >= 0) this.paths.splice(at, 1)
    this.paths.push(path)
    if (this.paths.length > this.max) this.paths.shift()
  }

  has(path: string): boolean {
    return this.paths.includes(path)
  }
}
