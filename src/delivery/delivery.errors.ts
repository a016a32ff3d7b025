import { AppError, ErrorCode, notFound, UserInputError } from '../shared/errors';

export enum DeliveryErrorReason {
  DELIVERY_NOT_FOUND = 'DELIVERY_NOT_FOUND',
  DELIVERY_ALREADY_DELIVERED = 'DELIVERY_ALREADY_DELIVERED',
  ENDPOINT_URL_INVALID = 'ENDPOINT_URL_INVALID',
  /** A private, loopback or metadata address (OUTBOUND_ALLOW_PRIVATE is off). */
  ENDPOINT_URL_NOT_ALLOWED = 'ENDPOINT_URL_NOT_ALLOWED',
  ENDPOINT_URL_REQUIRED = 'ENDPOINT_URL_REQUIRED',
  SIGNING_SECRET_INVALID = 'SIGNING_SECRET_INVALID',
  SIGNING_SECRET_REQUIRED = 'SIGNING_SECRET_REQUIRED',
}

export const deliveryNotFound = (id: string): AppError =>
  notFound('Delivery', id, DeliveryErrorReason.DELIVERY_NOT_FOUND);

export const alreadyDelivered = (id: string): AppError =>
  new AppError(
    ErrorCode.CONFLICT,
    `Delivery ${JSON.stringify(id)} was already delivered`,
    undefined,
    DeliveryErrorReason.DELIVERY_ALREADY_DELIVERED,
  );

export const settingsInputError = (message: string, field: string, reason: DeliveryErrorReason): AppError =>
  new UserInputError(message, ['input', field], reason);
