/** @module <Coming>: the placeholder of a screen not built yet (E3 replaces each with the real one). */
import { Layout } from "./layout";

/** A screen titled `title` that says it is coming. */
export function Coming({ title }: { title: string }) {
  return (
    <Layout title={title}>
      <p class="muted">This screen is coming.</p>
    </Layout>
  );
}
