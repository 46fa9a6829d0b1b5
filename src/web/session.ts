/** What /api/auth/login and /api/auth/me answer. */
export interface Session {
  user: { username: string; role?: string; [key: string]: unknown };
  csrfToken?: string;
}
