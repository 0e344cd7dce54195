import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { ChromiumNotFoundError, PdfRenderError } from './errors.ts';

/** Debian's Chromium; `BULWARK_CHROMIUM` or `executablePath` point elsewhere. */
export const defaultChromiumPath = '/usr/bin/chromium';

export type RenderPdfParameters = {
  executablePath?: string | undefined;
  /** Footer text before the page numbers. */
  footer?: string | undefined;
  timeoutMs?: number | undefined;
};

/** Pages in a PDF: its page objects (`/Type /Page`, not `/Pages`). */
export function pdfPageCount(pdf: Uint8Array): number {
  const text = Buffer.from(pdf).toString('latin1');
  return text.match(/\/Type\s*\/Page(?![A-Za-z])/g)?.length ?? 0;
}

/**
 * Prints HTML to an A4 PDF with Chromium (playwright-core drives the system's Chromium; no
 * browser is downloaded). Page size and margins come from the page's CSS; the footer numbers the pages.
 */
export async function renderPdf(
  html: string,
  parameters: RenderPdfParameters = {},
): Promise<{ pdf: Uint8Array; pages: number }> {
  const executablePath = parameters.executablePath ?? defaultChromiumPath;
  if (!existsSync(executablePath))
    throw new ChromiumNotFoundError(`No Chromium at ${executablePath} to render the PDF.`, {
      metaMessages: [
        'Install it (Debian/Ubuntu: apt-get install chromium), or point BULWARK_CHROMIUM or --chromium at a Chromium or Chrome binary.',
        'Or write --format html and print it from a browser.',
      ],
      docsPath: 'governance/report.md#pdf',
    });
  const timeout = parameters.timeoutMs ?? 60_000;
  let browser: Browser | undefined;
  try {
    // Loaded here, not with the package: it costs every governance command a second and ~60 MB.
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath,
      headless: true,
      timeout,
      args: ['--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
    });
    const page = await browser.newPage();
    page.setDefaultTimeout(timeout);
    await page.setContent(html, { waitUntil: 'load' });
    await page.emulateMedia({ media: 'print' });
    const footer = (parameters.footer ?? 'Bulwark conformance report').replace(/[<>&"]/g, '');
    const pdf = await page.pdf({
      preferCSSPageSize: true,
      printBackground: true,
      displayHeaderFooter: true,
      headerTemplate: '<div></div>',
      footerTemplate: `<div style="font-size:7pt;width:100%;text-align:center;color:#6e7781">${footer} — page <span class="pageNumber"></span> of <span class="totalPages"></span></div>`,
    });
    return { pdf, pages: pdfPageCount(pdf) };
  } catch (error) {
    throw new PdfRenderError(`Chromium (${executablePath}) could not render the PDF.`, {
      cause: error,
      metaMessages: [
        'Check that this Chromium starts (`chromium --headless --version`); --format html works without it.',
      ],
      docsPath: 'governance/report.md#pdf',
      retryable: true,
    });
  } finally {
    await browser?.close().catch(() => {});
  }
}
