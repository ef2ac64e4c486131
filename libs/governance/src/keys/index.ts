export {
  API_KEY_SECRET_LENGTH,
  generateApiKey,
  hashApiKey,
  isApiKeyFormat,
  randomBase62,
  safeEqual,
  type GeneratedApiKey,
} from './api-key';
export { parseBearer } from './bearer';
export { redactSecrets } from './redact-secrets';
