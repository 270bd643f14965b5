/** The client's address of an HTTP request (X-Forwarded-For is trusted only with TRUST_PROXY, through Express). */
import type { Request } from "express";

export const clientIp = (req: Request) => req.ip ?? req.socket.remoteAddress ?? "unknown";
