import { ProblemsPage } from "../../../features/problems";

export default function Page(): React.ReactNode {
  return <ProblemsPage />;
}
