// Ready-to-paste configuration for the reverse proxy in front of Tale when TLS_MODE=external. The
// Tale proxy then serves plain HTTP on its published port 80 for exactly the Host of SITE_URL, so
// the upstream must pass the original Host, upgrade WebSockets (Convex sync runs over /api/*/sync
// and /ws_api) and allow long requests (streaming answers, uploads).

export type UpstreamInput = {
  host: string;
  basePath: string;
  /** Where the Tale proxy's port 80 is reachable from the upstream proxy. */
  upstream: string;
};

export function nginxConfig({ host, basePath, upstream }: UpstreamInput): string {
  const location = basePath ? `${basePath}/` : '/';
  return [
    'map $http_upgrade $connection_upgrade {',
    '    default upgrade;',
    "    ''      close;",
    '}',
    '',
    'server {',
    '    listen 443 ssl;',
    '    http2 on;',
    `    server_name ${host};`,
    '',
    `    ssl_certificate     /etc/ssl/certs/${host}.crt;`,
    `    ssl_certificate_key /etc/ssl/private/${host}.key;`,
    '',
    '    client_max_body_size 100m;',
    '',
    `    location ${location} {`,
    `        proxy_pass http://${upstream};`,
    '        proxy_http_version 1.1;',
    '        proxy_set_header Host $host;',
    '        proxy_set_header X-Real-IP $remote_addr;',
    '        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
    '        proxy_set_header X-Forwarded-Proto $scheme;',
    '        proxy_set_header X-Forwarded-Host $host;',
    '        proxy_set_header Upgrade $http_upgrade;',
    '        proxy_set_header Connection $connection_upgrade;',
    '        proxy_buffering off;',
    '        proxy_read_timeout 86400s;',
    '        proxy_send_timeout 86400s;',
    '    }',
    '}',
    '',
  ].join('\n');
}

export function caddyConfig({ host, basePath, upstream }: UpstreamInput): string {
  const matcher = basePath ? ` ${basePath}/*` : '';
  return [
    `${host} {`,
    `    reverse_proxy${matcher} ${upstream} {`,
    '        # Caddy passes Host through, upgrades WebSockets and sets X-Forwarded-* by itself.',
    '        header_up X-Real-IP {remote_host}',
    '        flush_interval -1',
    '        transport http {',
    '            read_timeout 1h',
    '            write_timeout 1h',
    '        }',
    '        stream_timeout 24h',
    '        stream_close_delay 5m',
    '    }',
    '}',
    '',
  ].join('\n');
}
