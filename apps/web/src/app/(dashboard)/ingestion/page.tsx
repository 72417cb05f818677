import { IngestionPage } from "../../../features/ingestion";

export default function Page(): React.ReactNode {
  return <IngestionPage />;
}
