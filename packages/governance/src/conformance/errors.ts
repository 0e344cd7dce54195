import { BaseError } from '@bulwark/core';

/** The Chromium that renders PDFs is not where we looked. */
export class ChromiumNotFoundError extends BaseError {
  override name = 'ChromiumNotFoundError' as const;
}

/** Chromium started but the PDF could not be made. */
export class PdfRenderError extends BaseError {
  override name = 'PdfRenderError' as const;
}
