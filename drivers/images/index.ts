/** What the provider and the CLI use of the image layer: input checks, progress text, image files on this machine. */
export { describeProgress, percentOf } from "./progress";
export { checkHostPath, checkLocalPath, checkUrl } from "./spec";
export { findLocalImage, removeLocalImage } from "./localImage";
