import { BaseError } from '@bulwark/core';

/** The Chromium that renders PDFs is not where we looked. */
export class ChromiumNotFoundError extends BaseError {
  override name = 'ChromiumNotFoundError' as const;
}

/** Chromium started but the PDF could not be made. */
export class PdfRenderError extends BaseError {
  override name = 'PdfRenderError' as const;
}

/** A report option that cannot be used: a reporting period out of order, a sign-off with nothing to sign. */
export class ConformanceInputError extends BaseError {
  override name = 'ConformanceInputError' as const;
}
