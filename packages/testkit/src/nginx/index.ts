export { DEPLOY_NGINX_DIR, findNginx, frontSubstitutions, startNginx, type NginxInstance, type Substitution } from './nginx.js';
