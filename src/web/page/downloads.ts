import { element, formatBytes } from './dom.js';

/** Download links for in-memory outputs; their object URLs are revoked on `clear`. */
export class Downloads {
  private urls: string[] = [];

  constructor(private readonly list: HTMLElement) {}

  clear(): void {
    for (const url of this.urls) URL.revokeObjectURL(url);
    this.urls = [];
    this.list.replaceChildren();
  }

  add(id: string, label: string, name: string, blob: Blob): void {
    const url = URL.createObjectURL(blob);
    this.urls.push(url);
    const link = element('a', { class: 'button', id, href: url, download: name }, `${label} `, element('span', { class: 'size' }, `(${name}, ${formatBytes(blob.size)})`));
    this.list.append(element('li', {}, link));
  }
}

/** Offers one Blob as a file download without keeping a link on the page. */
export function saveBlob(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const link = element('a', { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  // The download has started from the URL; revoke it once the click has been handled.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
