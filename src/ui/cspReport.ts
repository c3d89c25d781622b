// A Content-Security-Policy violation is a defect, not a warning: say so on the console as an error (the
// end-to-end suite fails on any console error), naming the directive and what was blocked.
export function reportCspViolations(): void {
  document.addEventListener('securitypolicyviolation', (e) => {
    console.error(
      `CSP violation: ${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'} (${e.sourceFile}:${e.lineNumber})`,
    );
  });
}
