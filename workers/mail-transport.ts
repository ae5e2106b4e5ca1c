import { createTransport, type Transporter } from 'nodemailer';
import type { SmtpSettings } from '../domain/gongkai-config';

// The one place that turns the SMTP settings into a nodemailer transport, so the worker and the tests reach the
// same server the same way.

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', '[::1]', 'localhost']);

/** Whether `host` names this machine (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(host.toLowerCase()) || /^127(\.\d{1,3}){3}$/.test(host);
}

/** True when mail goes to the embedded capture of `npm start`: no SMTP_URL and a loopback host. */
export function usesLocalCapture(smtp: SmtpSettings): boolean {
  return smtp.url === undefined && isLoopbackHost(smtp.host);
}

/**
 * A transport for `smtp`: SMTP_URL when set (it carries host, port, TLS and credentials, and wins over the separate
 * fields); else host and port, where a loopback host is spoken to without TLS, since the local capture offers none
 * and the traffic never leaves the machine, while a remote one still gets STARTTLS whenever it offers it.
 */
export function createMailTransport(smtp: SmtpSettings): Transporter {
  if (smtp.url !== undefined) return createTransport(smtp.url);
  return createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    ignoreTLS: !smtp.secure && isLoopbackHost(smtp.host),
    ...(smtp.auth === undefined ? {} : { auth: { user: smtp.auth.user, pass: smtp.auth.pass } }),
  });
}
