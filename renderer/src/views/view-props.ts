/** Props every capture view receives from the app frame. */
import type { AppError, CaptureInfo } from '../../../main/core/app/app-contract.js';

export interface CaptureViewProps {
  readonly capture: CaptureInfo;
  readonly notify: (e: AppError) => void;
}
